import { Testing } from 'cdktf';
// Brings the matchers' type declarations into the type-check (the global jest.Matchers augmentation).
import 'cdktf/lib/testing/adapters/jest';

// Adds cdktf's matchers (toHaveResourceWithProperties, ...). Their property names are Terraform's
// snake_case ones: with camelCase a `.not` assertion passes silently.
Testing.setupJest();

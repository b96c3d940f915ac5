import { Testing } from 'cdktf';

// Adds cdktf's matchers (toHaveResourceWithProperties, ...). Their property names are Terraform's
// snake_case ones: with camelCase a `.not` assertion passes silently.
Testing.setupJest();

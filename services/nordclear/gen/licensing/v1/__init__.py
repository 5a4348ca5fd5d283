"""Generated code for the proto package nordclear.licensing.v1 (see nordclear.gen); do not edit."""

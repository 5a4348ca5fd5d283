"""Generated code for the proto package nordclear.common.v1 (see nordclear.gen); do not edit."""

"""Generated code for the proto package nordclear.matching.v1 (see nordclear.gen); do not edit."""

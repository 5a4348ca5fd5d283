"""Generated code for the proto package nordclear.matching (see nordclear.gen); do not edit."""

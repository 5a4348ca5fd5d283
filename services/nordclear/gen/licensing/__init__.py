"""Generated code for the proto package nordclear.licensing (see nordclear.gen); do not edit."""

"""Generated code for the proto package nordclear.settlement (see nordclear.gen); do not edit."""

"""Generated code for the proto package nordclear.common (see nordclear.gen); do not edit."""

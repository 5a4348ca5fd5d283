"""Generated code for the proto package nordclear.repertoire (see nordclear.gen); do not edit."""

"""Generated code for the proto package nordclear.repertoire.v1 (see nordclear.gen); do not edit."""

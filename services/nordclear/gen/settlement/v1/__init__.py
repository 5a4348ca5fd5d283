"""Generated code for the proto package nordclear.settlement.v1 (see nordclear.gen); do not edit."""

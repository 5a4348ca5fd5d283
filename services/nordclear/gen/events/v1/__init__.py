"""Generated code for the proto package nordclear.events.v1 (see nordclear.gen); do not edit."""

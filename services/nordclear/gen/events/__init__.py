"""Generated code for the proto package nordclear.events (see nordclear.gen); do not edit."""

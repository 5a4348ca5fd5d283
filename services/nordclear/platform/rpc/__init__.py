"""gRPC plumbing shared by every service: status mapping, access policies, interceptors, server runtime."""

"""The integration API (`/api/v1/`) and its tokens: the vendor's billing
system, CRMs and customers' own systems reach the portal through the same
rules, visibility and services as its pages."""

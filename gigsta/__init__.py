"""GigSta: the GraphQL booking API of a NZ/AU gig-services marketplace."""

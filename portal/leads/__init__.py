"""Contact form and leads: enquiries from the public site that the consultancy works through."""

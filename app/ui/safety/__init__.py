"""The emergency warnings section (Appendix 2): alerts and their banner, the map of shelters,
accommodation and medical points, and the emergency contacts."""

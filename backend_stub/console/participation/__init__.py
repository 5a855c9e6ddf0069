"""The console's public-participation pages under /console/participation, one module per kind:
`polls`, `initiatives` (the akimat's), `proposals` (the moderation of residents'); `common` holds
the section's frame and what they share."""

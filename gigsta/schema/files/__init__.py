"""GraphQL for files on R2: uploads, attachments and their download links."""

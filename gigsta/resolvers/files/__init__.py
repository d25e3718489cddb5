"""Files on R2: presigned uploads, completion checks, downloads and deletion.

`createUpload` records a pending `Attachment` (who uploads what, declared size
and type) and hands out a presigned PUT; `completeUpload` checks the object
with HEAD against that record before marking it ready.
"""

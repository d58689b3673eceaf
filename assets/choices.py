"""The assets app's choices: kinds of file, statuses, and the formats uploads may have."""

from __future__ import annotations

from django.db import models


class AssetKind(models.TextChoices):
    """StoryCore's `type`: what the file is, decided by its content."""

    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"


class AssetStatus(models.TextChoices):
    """analyzing → active | failed; active | failed → analyzing (re-analysis after an edit);
    any → archived by its owner. A moderator's removal is `removed_at`, not a status, so
    restoring puts back whatever status the asset had."""

    ANALYZING = "analyzing", "Analyzing"
    ACTIVE = "active", "Active"
    FAILED = "failed", "Failed"
    ARCHIVED = "archived", "Archived"


class EmbeddingStatus(models.TextChoices):
    GENERATING = "generating", "Generating"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


# The AI Movie Platform's `status` filter also says `processing` for an asset being analysed.
STATUS_ALIASES = {"processing": AssetStatus.ANALYZING}

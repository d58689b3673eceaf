from django.apps import AppConfig


class StudioConfig(AppConfig):
    """Asking for media: the AI endpoints, video generation, templates, clips and film jobs.

    The HTTP side of generation. It validates a request, submits a job of a type it registers
    with `jobs`, and keeps what the job made (clips, images, files); `media_pipeline` does the
    making and knows nothing of HTTP.
    """

    name = "studio"
    verbose_name = "Studio"

    def ready(self) -> None:
        from projects.counts import register_project_count, register_project_items
        from studio import job_types, selectors
        from studio import moderation as clip_moderation

        job_types.register()
        # Reports on clips go through this app's services (studio.moderation).
        clip_moderation.register()
        register_project_count("clip_count", selectors.project_clip_counts)
        register_project_items("clips", selectors.project_clips)

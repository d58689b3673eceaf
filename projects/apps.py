from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from accounts.stats import register_organization_count, register_user_count
        from jobs.registry import register_project_names
        from projects import job_types, selectors

        job_types.register()

        # The profile's `usage.projectsCreated` and each organization's `projectCount`.
        register_user_count("projects_created", selectors.projects_owned_count)
        register_organization_count("project_count", selectors.organization_project_counts)
        # GET /jobs/:id's `projectName`.
        register_project_names(selectors.project_titles)

namespace Cocktail.Domain.Pipelines;

public enum GitProvider { GitHub, GitLab, Gitea }

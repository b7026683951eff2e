namespace Cocktail.Domain.Pipelines;

/// <summary>The Git hosts whose push webhooks Cocktail reads; each signs its deliveries its own way.</summary>
public enum GitProvider
{
    GitHub,
    GitLab,
    Gitea,
}

using Cocktail.Application.Pipelines;
using Cocktail.Domain.Pipelines;

namespace Cocktail.Web.Components.Pages.Pipelines;

/// <summary>Where a git provider sends a pipeline's push webhooks (the hooks endpoints answer there).</summary>
public static class PipelineHooks
{
    public static string Url(string baseUri, Guid pipelineId, GitProvider provider) =>
        baseUri.TrimEnd('/') + PipelineWebhookSecrets.Path(pipelineId, provider);

    public static string HowToAdd(GitProvider provider) => provider switch
    {
        GitProvider.GitHub => "In GitHub: Settings → Webhooks → Add webhook, content type application/json, this URL and the secret; event: push.",
        GitProvider.GitLab => "In GitLab: Settings → Webhooks, this URL, the secret as the Secret token; trigger: push events (and tag push events).",
        _ => "In Gitea: Settings → Webhooks → Add webhook → Gitea, POST, content type application/json, this URL and the secret; event: push.",
    };
}

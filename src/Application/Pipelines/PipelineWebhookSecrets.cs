using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Pipelines;

/// <summary>
/// A pipeline's git push webhook secret, encrypted with ASP.NET Data Protection, a document beside the pipeline's
/// stream (as build definitions keep their git credentials). Providers sign with the plain secret, so it is kept
/// recoverable rather than hashed; it is shown once, when made, and never in a view, an event or a log.
/// </summary>
public sealed class PipelineWebhookSecret
{
    public const string Purpose = "Cocktail.Pipelines.Webhook.v1";

    public Guid Id { get; set; }
    public string Protected { get; set; } = "";
}

/// <summary>A new webhook secret and where the provider posts: answered once, when it is made.</summary>
public sealed record PipelineWebhookSetUp(Guid PipelineId, GitProvider Provider, string Path, [property: Secret] string Secret)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public static class PipelineWebhookSecrets
{
    /// <summary>Where a provider posts a pipeline's push events (relative to Cocktail's base URL).</summary>
    public static string Path(Guid pipelineId, GitProvider provider) => $"/api/v1/hooks/pipelines/{pipelineId}/{provider.ToString().ToLowerInvariant()}";

    /// <summary>32 random bytes, base64url: what the provider signs with (GitHub, Gitea) or sends as the token (GitLab).</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Stores a new secret for the pipeline (replacing the one before) in the session's transaction, and answers it.</summary>
    public static PipelineWebhookSetUp Store(IDocumentSession session, IDataProtectionProvider protection, Guid pipelineId, GitProvider provider)
    {
        var secret = New();
        session.Store(new PipelineWebhookSecret { Id = pipelineId, Protected = protection.CreateProtector(PipelineWebhookSecret.Purpose).Protect(secret) });
        return new PipelineWebhookSetUp(pipelineId, provider, Path(pipelineId, provider), secret);
    }

    /// <summary>The pipeline's plain secret, for verifying a webhook, or null when it has none.</summary>
    public static async Task<string?> ReadAsync(IQuerySession session, IDataProtectionProvider protection, Guid pipelineId, CancellationToken ct)
    {
        var stored = await session.LoadAsync<PipelineWebhookSecret>(pipelineId, ct);
        if (stored is null) return null;
        try
        {
            return protection.CreateProtector(PipelineWebhookSecret.Purpose).Unprotect(stored.Protected);
        }
        catch (CryptographicException)
        {
            // Keys lost or rotated away: no secret that verifies anything; rotating makes a new one.
            return null;
        }
    }
}

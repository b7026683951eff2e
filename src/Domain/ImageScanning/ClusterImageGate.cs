using Cocktail.Domain.Common;

namespace Cocktail.Domain.ImageScanning;

/// <summary>A platform admin told Cocktail where the cluster's API servers reach its admission endpoint.</summary>
public sealed record ClusterImageGateConfigured(Guid ClusterId, string Name, string WebhookUrl, ActorRef ConfiguredBy, DateTimeOffset ConfiguredAt);

/// <summary>The cluster no longer asks Cocktail before it admits a pod (its webhook configuration is removed).</summary>
public sealed record ClusterImageGateCleared(Guid ClusterId, string Name, ActorRef ClearedBy, DateTimeOffset ClearedAt);

/// <summary>
/// The cluster holds the webhook configuration for <paramref name="WebhookUrl"/> with the CA whose SHA-256 is
/// <paramref name="CaFingerprint"/>; a null URL means the configuration was removed.
/// </summary>
public sealed record ClusterImageGateApplied(Guid ClusterId, string Name, string? WebhookUrl, string? CaFingerprint, DateTimeOffset AppliedAt);

/// <summary>The cluster refused the webhook configuration; the reason is the API server's.</summary>
public sealed record ClusterImageGateApplyFailed(Guid ClusterId, string Name, string? WebhookUrl, string Reason, DateTimeOffset FailedAt);

/// <summary>
/// A cluster's image gate setting, in a stream of its own (id derived from the cluster's): the URL its API servers
/// call, and what the reconciler last made of it on the cluster.
/// </summary>
public sealed record ClusterImageGate(Guid Id, Guid ClusterId, string ClusterName, string? WebhookUrl, string? AppliedUrl,
    string? AppliedCa, bool AppliedOnce, string? LastFailure)
{
    public const int MaxUrlLength = 2048;

    public static Guid StreamIdFor(Guid clusterId) => DerivedIds.From("cocktail:image-gate:", clusterId);

    public static ClusterImageGate Empty(Guid clusterId, string clusterName) =>
        new(StreamIdFor(clusterId), clusterId, clusterName, null, null, null, false, null);

    /// <summary>An absolute https URL without credentials, query or fragment; the admission path is appended to it.</summary>
    public static DomainError? CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return DomainError.Invalid("Give the URL at which the cluster's API servers reach Cocktail, e.g. https://cocktail.example.com:9443.", "webhookUrl");
        if (url.Length > MaxUrlLength) return DomainError.Invalid($"A URL is at most {MaxUrlLength} characters.", "webhookUrl");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.Host.Length == 0)
            return DomainError.Invalid("The API server calls webhooks over https only: give an absolute https URL.", "webhookUrl");
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            return DomainError.Invalid("The URL has no credentials, query or fragment (Kubernetes refuses them in a webhook URL).", "webhookUrl");
        return null;
    }

    /// <summary>The URL as stored: without a trailing slash, so that the admission path joins it once.</summary>
    public static string Normalize(string url) => url.Trim().TrimEnd('/');

    public Decision Configure(string clusterName, string? url, ActorRef by, DateTimeOffset at)
    {
        if (CheckUrl(url) is { } invalid) return invalid;
        var normalized = Normalize(url!);
        return normalized == WebhookUrl ? Decision.Nothing
            : Decision.Accept(new ClusterImageGateConfigured(ClusterId, clusterName, normalized, by, at));
    }

    public Decision Clear(ActorRef by, DateTimeOffset at) =>
        WebhookUrl is null ? Decision.Nothing : Decision.Accept(new ClusterImageGateCleared(ClusterId, ClusterName, by, at));

    /// <summary>
    /// What the reconciler saw: only a change is recorded (a periodic pass that finds all in place adds nothing); an
    /// unreachable cluster tells nothing, so nothing is recorded.
    /// </summary>
    public Decision RecordApply(ClusterOutcome outcome, string? caFingerprint, DateTimeOffset at) => outcome.Answer switch
    {
        ClusterAnswer.Applied when AppliedOnce && LastFailure is null && AppliedUrl == WebhookUrl && (WebhookUrl is null || AppliedCa == caFingerprint) => Decision.Nothing,
        ClusterAnswer.Applied => Decision.Accept(new ClusterImageGateApplied(ClusterId, ClusterName, WebhookUrl, WebhookUrl is null ? null : caFingerprint, at)),
        ClusterAnswer.Refused when LastFailure == (outcome.Message ?? "refused") => Decision.Nothing,
        ClusterAnswer.Refused => Decision.Accept(new ClusterImageGateApplyFailed(ClusterId, ClusterName, WebhookUrl, outcome.Message ?? "refused", at)),
        _ => Decision.Nothing,
    };

    public static ClusterImageGate Create(ClusterImageGateConfigured e) => Empty(e.ClusterId, e.Name) with { WebhookUrl = e.WebhookUrl };

    public ClusterImageGate Apply(ClusterImageGateConfigured e) => this with { ClusterName = e.Name, WebhookUrl = e.WebhookUrl };
    public ClusterImageGate Apply(ClusterImageGateCleared _) => this with { WebhookUrl = null };
    public ClusterImageGate Apply(ClusterImageGateApplied e) =>
        this with { AppliedUrl = e.WebhookUrl, AppliedCa = e.CaFingerprint, AppliedOnce = true, LastFailure = null };
    public ClusterImageGate Apply(ClusterImageGateApplyFailed e) => this with { LastFailure = e.Reason };
}

/// <summary>
/// What the cluster's admission webhook answered for one object, or for identical requests within a minute (same
/// cluster, namespace, images and answer), counted in <paramref name="RepeatCount"/>: first at
/// <paramref name="DecidedAt"/>, last at <paramref name="LastDecidedAt"/>.
/// </summary>
public sealed record ImageAdmissionDecided(Guid ClusterId, string ClusterName, string Namespace, string Kind, string Name, string Operation,
    IReadOnlyList<string> Images, bool Allowed, string Message, int RepeatCount, DateTimeOffset DecidedAt, DateTimeOffset LastDecidedAt)
{
    /// <summary>One stream per cluster and day, so that no stream grows without end.</summary>
    public static Guid StreamIdFor(Guid clusterId, DateOnly day) => DerivedIds.From($"cocktail:image-admissions:{day:yyyy-MM-dd}:", clusterId);
}

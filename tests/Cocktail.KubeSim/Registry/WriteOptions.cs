using Cocktail.KubeSim.Auth;

namespace Cocktail.KubeSim.Registry;

/// <summary>Who writes and how: the query parameters of a write (fieldManager, dryRun, force) plus the caller.</summary>
public sealed record WriteOptions(UserInfo User)
{
    public string? FieldManager { get; init; }
    public bool DryRun { get; init; }
    public bool Force { get; init; }
    public string? UserAgent { get; init; }

    /// <summary>
    /// fieldValidation of a client's request: Strict refuses undeclared fields, Warn (the default for API requests)
    /// drops them with a warning, Ignore drops them silently. Null for KubeSim's own writes, which skip the check.
    /// </summary>
    public string? FieldValidation { get; init; }

    /// <summary>False when the caller (server-side apply) has already computed managedFields itself.</summary>
    public bool TrackFields { get; init; } = true;

    public static WriteOptions Internal(string fieldManager) => new(UserInfo.ControllerManager) { FieldManager = fieldManager };

    /// <summary>The manager name the apiserver derives from the user agent when none is given ("kubectl-create" etc.).</summary>
    public string EffectiveFieldManager =>
        FieldManager ?? (string.IsNullOrEmpty(UserAgent) ? "unknown" : UserAgent.Split('/')[0]);
}

/// <summary>DeleteOptions as sent in a DELETE body or query string.</summary>
public sealed record DeleteOptions(WriteOptions Write)
{
    public string? PropagationPolicy { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }
}

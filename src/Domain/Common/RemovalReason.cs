namespace Cocktail.Domain.Common;

/// <summary>Why something was removed, where saying so is optional (the API and the console may leave it out).</summary>
public static class RemovalReason
{
    public const int MaxLength = 1000;

    /// <summary>Trimmed, and null when blank, so the audit trail shows either a reason or none.</summary>
    public static string? Optional(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
}

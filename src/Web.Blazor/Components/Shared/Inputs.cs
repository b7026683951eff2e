namespace Cocktail.Web.Components.Shared;

/// <summary>What every form needs: typed text as the commands take it, and the server's messages beside each field.</summary>
public static class Inputs
{
    /// <summary>What a person typed, trimmed; nothing for an empty box.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The server's messages for one field, joined for MudBlazor's ErrorText; null when it has none.</summary>
    public static string? MessagesFor(this IReadOnlyDictionary<string, string[]> errors, string field) =>
        errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;
}

using Cocktail.Application.Common;
using Cocktail.Web.Components.Shared;

namespace Cocktail.Web.Components.Pages.Workloads;

/// <summary>
/// A refusal's field errors (keyed by the JSON path the form and the YAML share, `containers[0].image`), for
/// showing each beside its field and all of them together, so none is ever lost.
/// </summary>
public sealed class ServerErrors
{
    public static readonly ServerErrors None = new(null);

    private readonly IReadOnlyDictionary<string, string[]> _fields;

    public ServerErrors(Failure? failure)
    {
        Failure = failure;
        _fields = failure?.FieldErrors ?? new Dictionary<string, string[]>();
    }

    public Failure? Failure { get; }
    public bool Any => Failure is not null;

    /// <summary>The messages for exactly this field, or null (MudBlazor's ErrorText).</summary>
    public string? For(string field) => _fields.MessagesFor(field);

    public bool Has(string field) => _fields.ContainsKey(field);

    /// <summary>The messages for this field and every field under it (`containers[0].securityContext.*`).</summary>
    public string? Under(string prefix)
    {
        var messages = _fields.Where(f => f.Key == prefix || f.Key.StartsWith(prefix + ".", StringComparison.Ordinal) ||
                                          f.Key.StartsWith(prefix + "[", StringComparison.Ordinal))
            .SelectMany(f => f.Value).Distinct().ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    public IEnumerable<(string Field, string Message)> All =>
        _fields.OrderBy(f => f.Key, StringComparer.Ordinal).SelectMany(f => f.Value.Select(m => (f.Key, m)));

    /// <summary>A policy refusal: its messages end with the rule in brackets.</summary>
    public bool IsPolicy => Failure?.Message.Contains("security policy", StringComparison.OrdinalIgnoreCase) is true;
}

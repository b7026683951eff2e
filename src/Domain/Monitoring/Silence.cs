using System.Text.RegularExpressions;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

/// <summary>
/// Alerts of its workspace (or of the platform) whose labels match every matcher notify nobody until it ends. The
/// alerts still fire and resolve as events; only the notification is held back.
/// </summary>
public sealed record Silence(Guid Id, Guid? WorkspaceId, IReadOnlyList<LabelMatcher> Matchers, DateTimeOffset Until, bool Expired)
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(30);
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);

    public static Decision Start(Guid id, Guid? workspaceId, IReadOnlyList<LabelMatcher> matchers, DateTimeOffset until, ActorRef by, string reason, DateTimeOffset at)
    {
        if (matchers.Count == 0) return DomainError.Invalid("Give at least one matcher, or the silence would cover everything.", "matchers");
        foreach (var m in matchers)
        {
            if (!LabelNames.IsValid(m.Name)) return DomainError.Invalid($"'{m.Name}' is not a label name.", "matchers");
            if (m.Operator is not ("=" or "!=" or "=~" or "!~")) return DomainError.Invalid($"'{m.Operator}' is not a matcher: use =, !=, =~ or !~.", "matchers");
            if (m.Operator is "=~" or "!~" && !IsRegex(m.Value)) return DomainError.Invalid($"'{m.Value}' is not a regular expression.", "matchers");
        }
        if (until <= at) return DomainError.Invalid("A silence ends in the future.", "until");
        if (until - at > MaxDuration) return DomainError.Invalid("A silence lasts at most 30 days.", "until");
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the alerts are silenced.", "reason");
        return Decision.Accept(new AlertSilenced(id, workspaceId, matchers, until, by, reason.Trim(), at));
    }

    /// <summary>The sweep's decision: a silence past its end expires, once.</summary>
    public Decision Expire(DateTimeOffset at) => Expired || at < Until ? Decision.Nothing : Decision.Accept(new SilenceExpired(Id, at, Matchers));

    public bool Covers(Guid? workspaceId, IReadOnlyDictionary<string, string> labels, DateTimeOffset at) =>
        !Expired && at < Until && workspaceId == WorkspaceId && Matches(Matchers, labels);

    /// <summary>Alertmanager's semantics: a missing label is the empty string; regexes match the whole value.</summary>
    public static bool Matches(IEnumerable<LabelMatcher> matchers, IReadOnlyDictionary<string, string> labels) => matchers.All(m =>
    {
        var value = labels.TryGetValue(m.Name, out var v) ? v : "";
        return m.Operator switch
        {
            "=" => value == m.Value,
            "!=" => value != m.Value,
            "=~" => FullMatch(m.Value, value),
            "!~" => !FullMatch(m.Value, value),
            _ => false,
        };
    });

    private static bool FullMatch(string pattern, string value)
    {
        try { return Regex.IsMatch(value, "^(?:" + pattern + ")$", RegexOptions.None, RegexTimeout); }
        catch (RegexMatchTimeoutException) { return false; }
    }

    private static bool IsRegex(string pattern)
    {
        try { _ = new Regex(pattern, RegexOptions.None, RegexTimeout); return true; }
        catch (ArgumentException) { return false; }
    }

    public static Silence Create(AlertSilenced e) => new(e.SilenceId, e.WorkspaceId, e.Matchers, e.Until, false);
    public Silence Apply(SilenceExpired _) => this with { Expired = true };
}

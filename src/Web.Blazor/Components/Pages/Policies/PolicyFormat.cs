using Cocktail.Domain.Policies;

namespace Cocktail.Web.Components.Pages.Policies;

/// <summary>A security policy's rules in the console's words, keyed by the field names the API and its errors use.</summary>
public static class PolicyFormat
{
    public sealed record Rule(string Field, string Label, Func<SecurityPolicy, string> Value);

    public static readonly IReadOnlyList<Rule> Rules =
    [
        new("podSecurity", "Pod Security level", p => p.PodSecurity is { } level ? SecurityPolicy.Name(level) : "not set"),
        new("allowedRegistries", "Allowed registries", p => p.Registries.Count == 0 ? "any" : string.Join(", ", p.Registries)),
        new("forbidLatestTag", "Latest or untagged images", p => p.ForbidLatestTag ? "forbidden" : "allowed"),
        new("requireLimits", "CPU and memory limits", p => p.RequireLimits ? "required" : "optional"),
        new("forbidPrivilegeEscalation", "Privilege escalation", p => p.ForbidPrivilegeEscalation ? "forbidden" : "allowed"),
        new("forbidHostPath", "Host path volumes", p => p.ForbidHostPath ? "forbidden" : "allowed"),
        new("maxReplicas", "Replicas", p => p.MaxReplicas is { } max ? $"at most {max}" : "no limit"),
    ];

    /// <summary>One line: only the rules that restrict something.</summary>
    public static string Summary(SecurityPolicy policy)
    {
        var parts = new List<string>();
        if (policy.PodSecurity is { } level) parts.Add($"Pod Security {SecurityPolicy.Name(level)}");
        if (policy.Registries.Count > 0) parts.Add($"images from {string.Join(", ", policy.Registries)} only");
        if (policy.ForbidLatestTag) parts.Add("pinned image tags");
        if (policy.RequireLimits) parts.Add("CPU and memory limits required (a service map's default limits count)");
        if (policy.ForbidPrivilegeEscalation) parts.Add("no privilege escalation");
        if (policy.ForbidHostPath) parts.Add("no host paths");
        if (policy.MaxReplicas is { } max) parts.Add($"at most {max} replicas");
        return parts.Count == 0 ? "no rules: anything Kubernetes accepts" : string.Join(" · ", parts);
    }
}

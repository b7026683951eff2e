using Cocktail.Domain.Policies;

namespace Cocktail.Application.Policies;

/// <summary>A workspace's or service map's own policy; the document id is the policy stream's (derived from the target).</summary>
public sealed class SecurityPolicyView
{
    public Guid Id { get; set; }
    public Guid TargetId { get; set; }
    public PolicyScope Scope { get; set; }
    public SecurityPolicy Policy { get; set; } = SecurityPolicy.None;
    public DateTimeOffset ChangedAt { get; set; }
    public string ChangedBy { get; set; } = "";

    public static SecurityPolicyView Create(SecurityPolicyChanged e) => new()
    {
        Id = PolicyStream.StreamIdFor(e.TargetId), TargetId = e.TargetId, Scope = e.Scope, Policy = e.After, ChangedAt = e.ChangedAt, ChangedBy = e.ChangedBy.Name,
    };

    public void Apply(SecurityPolicyChanged e)
    {
        Policy = e.After;
        ChangedAt = e.ChangedAt;
        ChangedBy = e.ChangedBy.Name;
    }
}

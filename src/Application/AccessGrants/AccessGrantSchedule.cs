using Cocktail.Application.AccessGrants.Activating;
using Cocktail.Application.ServiceMaps.Reconciling;
using Wolverine;

namespace Cocktail.Application.AccessGrants;

/// <summary>When a grant's work on its cluster runs, and when it is tried again.</summary>
public static class AccessGrantSchedule
{
    public static readonly TimeSpan UnreachableRetry = TimeSpan.FromSeconds(5);

    /// <summary>A cluster that refused is asked again less often: the same answer is likely for a while.</summary>
    public static readonly TimeSpan RefusedRetry = TimeSpan.FromSeconds(30);

    /// <summary>The <see cref="Common.IExclusiveTurns"/> kind of a grant's presence on its cluster.</summary>
    public const string Turn = "access-grant";

    public static Task ActivateAsync(IMessageContext messages, Guid grantId, DateTimeOffset validFrom, DateTimeOffset now) =>
        validFrom <= now
            ? messages.PublishAsync(new ActivateAccessGrant(grantId)).AsTask()
            : messages.ScheduleAsync(new ActivateAccessGrant(grantId), validFrom).AsTask();

    /// <summary>How long to wait before asking the cluster again after <paramref name="result"/>; null when it is done.</summary>
    public static TimeSpan? RetryAfter(ApplyResult result) => result switch
    {
        ApplyResult.Applied => null,
        ApplyResult.Refused => RefusedRetry,
        _ => UnreachableRetry,
    };

    /// <summary>The applier's answer in the domain's terms.</summary>
    public static Domain.Access.GrantApplyResult ToDomain(this ApplyResult result) => result switch
    {
        ApplyResult.Applied => Domain.Access.GrantApplyResult.Applied,
        ApplyResult.Refused => Domain.Access.GrantApplyResult.Refused,
        _ => Domain.Access.GrantApplyResult.Unreachable,
    };
}

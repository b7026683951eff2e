using System.Text.Json;
using Cocktail.Application.Audit;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.Users;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.KubernetesAudit.Searching;

/// <summary>
/// "Everything user U did between T1 and T2": Cocktail's own events with U as the actor, and the Kubernetes audit
/// records of the accounts Cocktail issued to U, merged into one timeline, newest first.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record UserActivity(string UserName, DateTimeOffset From, DateTimeOffset To, int Limit = 1000) : IRequest<ActivityTimeline>;

public sealed record ActivityEntry(DateTimeOffset At, string Source, string What, string? Cluster, string? Detail, long? Sequence, Guid? AuditId, Guid? StreamId);

public sealed record ActivityTimeline(string UserName, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ActivityEntry> Entries, bool Truncated);

public sealed class UserActivityValidator : AbstractValidator<UserActivity>
{
    public UserActivityValidator()
    {
        RuleFor(x => x.UserName).NotEmpty().MaximumLength(63);
        RuleFor(x => x.To).GreaterThan(x => x.From).WithMessage("'to' must come after 'from'.");
        RuleFor(x => x.Limit).InclusiveBetween(1, 5000);
    }
}

public static class UserActivityHandler
{
    public static async Task<Result<ActivityTimeline>> Handle(UserActivity query, IQuerySession session, IEventLog events,
        IKubernetesAuditStore audit, CancellationToken ct)
    {
        if (!await session.Query<UserView>().AnyAsync(u => u.UserName == query.UserName, ct)) return Failure.NotFound("No such user.");
        var platform = await events.SearchAsync(new AuditSearch(query.From, query.To, query.UserName, null, null, 1, query.Limit), ct);
        var described = await Audit.Describing.AuditDescriber.DescribeAsync(platform.Items, session, ct);
        var clusters = await session.Query<ClusterView>().Select(c => new { c.Id, c.Name }).ToListAsync(ct);
        var names = clusters.ToDictionary(c => c.Id, c => c.Name);
        var kubernetes = await audit.SearchAsync(names.Keys.ToArray(), new AuditFilter(query.From, query.To, CocktailUser: query.UserName), query.Limit, null, ct);

        var entries = described.Select(e => new ActivityEntry(e.Timestamp, "Cocktail", e.Type, null, e.Summary ?? Summarize(e.Data), e.Sequence, null, e.StreamId))
            .Concat(kubernetes.Items.Select(r => new ActivityEntry(r.Timestamp, "Kubernetes", $"{r.Verb} {Target(r)}",
                names.GetValueOrDefault(r.ClusterId), $"{r.Code} as {r.User}", null, r.AuditId, null)))
            .OrderByDescending(e => e.At)
            .Take(query.Limit)
            .ToList();
        return new ActivityTimeline(query.UserName, query.From, query.To, entries, platform.Total > query.Limit || kubernetes.More);
    }

    private static string Target(AuditRecord r) =>
        r.Resource is null ? r.RequestUri : $"{r.Resource}{(r.Subresource is null ? "" : "/" + r.Subresource)}" +
                                            $"{(r.Namespace is null ? "" : $" in {r.Namespace}")}{(r.Name is null ? "" : $" {r.Name}")}";

    private static string Summarize(JsonElement data) => data.ToString() is { Length: > 300 } text ? text[..300] + "…" : data.ToString();
}

using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.KubernetesAudit.Searching;

/// <summary>A cluster's Kubernetes audit records, newest first, within a time window (5 minutes to 48 hours presets or from/to).</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record SearchKubernetesAudit(
    Guid ClusterId, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Window = null, string? User = null, string? Verb = null,
    string? Resource = null, string? Namespace = null, string? Name = null, int? Code = null, string? CocktailUser = null,
    int Limit = 500, string? Before = null) : IRequest<AuditPage>, IAuditFilterQuery;

/// <summary>The filters a search and an export share: a time window and the columns to match.</summary>
public interface IAuditFilterQuery
{
    Guid ClusterId { get; }
    DateTimeOffset? From { get; }
    DateTimeOffset? To { get; }
    string? Window { get; }
    string? User { get; }
    string? Verb { get; }
    string? Resource { get; }
    string? Namespace { get; }
    string? Name { get; }
    int? Code { get; }
    string? CocktailUser { get; }
}

[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetKubernetesAuditRecord(Guid ClusterId, Guid AuditId) : IRequest<IReadOnlyList<AuditRecordDetail>>;

public sealed class SearchKubernetesAuditValidator : AuditFilterValidator<SearchKubernetesAudit>
{
    public SearchKubernetesAuditValidator(IOptions<KubernetesAuditOptions> options)
    {
        RuleFor(x => x.Limit).InclusiveBetween(1, options.Value.MaxPageSize).WithMessage($"A page has 1 to {options.Value.MaxPageSize} rows.");
        RuleFor(x => x.Before).Must(b => b is null || AuditCursor.TryParse(b, out _)).WithMessage("'before' is the nextBefore of a previous page.");
    }
}

/// <summary>The rules of the filters, the same for a search and an export.</summary>
public abstract class AuditFilterValidator<T> : AbstractValidator<T> where T : IAuditFilterQuery
{
    protected AuditFilterValidator()
    {
        RuleFor(x => x.Window).Must(w => w is null || AuditWindows.TryParse(w, out _))
            .WithMessage($"Windows are {string.Join(", ", AuditWindows.Presets)}.");
        RuleFor(x => x.To).GreaterThan(x => x.From).When(x => x.From is not null && x.To is not null).WithMessage("'to' must come after 'from'.");
        RuleFor(x => x.User).MaximumLength(256);
        RuleFor(x => x.Verb).MaximumLength(64);
        RuleFor(x => x.Resource).MaximumLength(256);
        RuleFor(x => x.Namespace).MaximumLength(253);
        RuleFor(x => x.Name).MaximumLength(253);
        RuleFor(x => x.CocktailUser).MaximumLength(63);
    }
}

public static class AuditWindows
{
    public static readonly string[] Presets = ["5m", "15m", "1h", "6h", "24h", "48h"];

    public static bool TryParse(string window, out TimeSpan span)
    {
        span = window switch
        {
            "5m" => TimeSpan.FromMinutes(5), "15m" => TimeSpan.FromMinutes(15), "1h" => TimeSpan.FromHours(1),
            "6h" => TimeSpan.FromHours(6), "24h" => TimeSpan.FromHours(24), "48h" => TimeSpan.FromHours(48), _ => TimeSpan.Zero,
        };
        return span > TimeSpan.Zero;
    }

    /// <summary>From/to as given, else the window back from now, else the last hour.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Resolve(DateTimeOffset? from, DateTimeOffset? to, string? window, DateTimeOffset now)
    {
        var end = to ?? now;
        if (from is { } start) return (start, end);
        return (end - (window is not null && TryParse(window, out var span) ? span : TimeSpan.FromHours(1)), end);
    }
}

/// <summary>Keyset paging: the (timestamp, auditID) of the last row returned.</summary>
public static class AuditCursor
{
    public static string Format(DateTimeOffset timestamp, Guid auditId) => $"{timestamp.UtcTicks}_{auditId:N}";

    public static bool TryParse(string cursor, out (DateTimeOffset Timestamp, Guid AuditId) value)
    {
        value = default;
        var parts = cursor.Split('_');
        if (parts.Length != 2 || !long.TryParse(parts[0], out var ticks) || !Guid.TryParse(parts[1], out var id)) return false;
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks) return false;
        value = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}

public static class SearchKubernetesAuditHandler
{
    public static async Task<Result<AuditPage>> Handle(SearchKubernetesAudit query, IQuerySession session, IKubernetesAuditStore store,
        TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClusterView>(query.ClusterId, ct) is null) return Failure.NotFound("No such cluster.");
        return await store.SearchAsync([query.ClusterId], ToFilter(query, clock.GetUtcNow()), query.Limit, query.Before, ct);
    }

    public static AuditFilter ToFilter(IAuditFilterQuery q, DateTimeOffset now)
    {
        var (from, to) = AuditWindows.Resolve(q.From, q.To, q.Window, now);
        return new AuditFilter(from, to, Blank(q.User), Blank(q.Verb), Blank(q.Resource), Blank(q.Namespace), Blank(q.Name), q.Code, Blank(q.CocktailUser));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class GetKubernetesAuditRecordHandler
{
    public static async Task<Result<IReadOnlyList<AuditRecordDetail>>> Handle(GetKubernetesAuditRecord query, IKubernetesAuditStore store, CancellationToken ct)
    {
        var records = await store.GetAsync(query.ClusterId, query.AuditId, ct);
        return records.Count == 0 ? Failure.NotFound("No such audit record.") : Result<IReadOnlyList<AuditRecordDetail>>.Ok(records);
    }
}

using Cocktail.Application.Audit.Describing;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Audit.Searching;

/// <summary>Newest first. Only platform admins and auditors read the audit trail.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record SearchAuditEvents(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Actor = null, string? Type = null,
    Guid? StreamId = null, int Page = 1, int PageSize = 50) : IRequest<Page<AuditEntry>>;

public sealed class SearchAuditEventsValidator : AbstractValidator<SearchAuditEvents>
{
    public SearchAuditEventsValidator()
    {
        RuleFor(x => x.To).GreaterThanOrEqualTo(x => x.From).When(x => x.From is not null && x.To is not null)
            .WithMessage("'to' must not be before 'from'.");
        RuleFor(x => x.Page).GreaterThanOrEqualTo(1).WithMessage("Pages start at 1.");
        RuleFor(x => x.PageSize).InclusiveBetween(1, Paging.MaxPageSize).WithMessage($"Page sizes go from 1 to {Paging.MaxPageSize}.");
        RuleFor(x => x.Actor).MaximumLength(200);
        RuleFor(x => x.Type).MaximumLength(200);
    }
}

public static class SearchAuditEventsHandler
{
    /// <summary>Each entry comes with its summary and its object's kind and name (names from today's read models).</summary>
    public static async Task<Result<Page<AuditEntry>>> Handle(SearchAuditEvents query, IEventLog log, IQuerySession session, CancellationToken ct)
    {
        var page = await log.SearchAsync(new AuditSearch(query.From, query.To, Blank(query.Actor), Blank(query.Type), query.StreamId,
            query.Page, query.PageSize), ct);
        return page with { Items = await AuditDescriber.DescribeAsync(page.Items, session, ct) };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

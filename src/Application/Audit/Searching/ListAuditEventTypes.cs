using Cocktail.Application.Audit.Describing;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;

namespace Cocktail.Application.Audit.Searching;

/// <summary>Every event type the audit trail knows, by name, for the console's type picker and the API's users.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record ListAuditEventTypes : IRequest<IReadOnlyList<string>>;

public static class ListAuditEventTypesHandler
{
    public static Result<IReadOnlyList<string>> Handle(ListAuditEventTypes _) => Result<IReadOnlyList<string>>.Ok(AuditDescriptions.KnownNames);
}

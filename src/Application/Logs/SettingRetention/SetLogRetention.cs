using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Logs;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Logs.SettingRetention;

/// <summary>How long the workspace's log lines are kept (workspace admins and platform admins): lines received from now on.</summary>
public sealed record SetLogRetention(Guid WorkspaceId, int Days, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class SetLogRetentionValidator : AbstractValidator<SetLogRetention>
{
    public SetLogRetentionValidator() => RuleFor(x => x.Days).Must(LogRetention.IsClass).WithMessage(LogRetention.Rule);
}

public static class SetLogRetentionHandler
{
    public static async Task<Result<Accepted>> Handle(SetLogRetention command, Actor actor, IDocumentSession session, LogRetentions retentions,
        TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanManage, ct);
        if (workspace.Failure is { } failure) return failure;
        var result = await AggregateStreams.DecideAsync<Workspace>(session, command.WorkspaceId, command.ExpectedVersion,
            w => w.SetLogRetention(command.Days, actor.Ref, clock.GetUtcNow()), TenancyAccess.NoSuchWorkspace, ct);
        retentions.Forget();
        return result;
    }
}

/// <summary>A workspace's log retention as its members see it, with the classes one may choose.</summary>
public sealed record GetLogRetention(Guid WorkspaceId) : IRequest<LogRetentionInfo>;

public sealed record LogRetentionInfo(Guid WorkspaceId, int Days, IReadOnlyList<int> Choices, string? SetBy, DateTimeOffset? SetAt);

public static class GetLogRetentionHandler
{
    public static async Task<Result<LogRetentionInfo>> Handle(GetLogRetention query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var view = await session.LoadAsync<LogRetentionView>(query.WorkspaceId, ct);
        return new LogRetentionInfo(query.WorkspaceId, view?.Days ?? LogRetention.DefaultDays, LogRetention.Classes, view?.SetBy, view?.SetAt);
    }
}

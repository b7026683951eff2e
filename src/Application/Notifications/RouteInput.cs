using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Notifications;

/// <summary>A route as clients send it: durations in seconds, severities by name.</summary>
public interface IRouteInput
{
    string? Name { get; }
    IReadOnlyList<Guid>? ChannelIds { get; }
    IReadOnlyList<string>? Severities { get; }
    IReadOnlyList<LabelMatcher>? Matchers { get; }
    IReadOnlyList<string>? GroupBy { get; }
    int? GroupWaitSeconds { get; }
    int? RepeatIntervalSeconds { get; }
    bool? SendResolved { get; }
}

public static class RouteRules
{
    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    public static AlertSeverity? Severity(string? name) =>
        Enum.TryParse<AlertSeverity>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(name, out _) ? parsed : null;

    public static void AddRouteRules<T>(this AbstractValidator<T> validator) where T : IRouteInput
    {
        validator.RuleFor(x => x.Name).MaximumLength(100);
        validator.RuleFor(x => x.ChannelIds).Must(c => c is null || c.Count is > 0 and <= 20).WithMessage("A route sends to 1 to 20 channels.");
        validator.RuleForEach(x => x.Severities).Must(s => Severity(s) is not null)
            .WithMessage($"A severity is one of {string.Join(", ", Enum.GetNames<AlertSeverity>())}.");
        validator.RuleFor(x => x.Matchers).Must(m => m is null || m.Count <= 20).WithMessage("At most 20 matchers.");
        validator.RuleForEach(x => x.Matchers).Must(m => m is not null && m.Value is not null && m.Value.Length <= 500 && m.Name is not null && m.Operator is not null)
            .WithMessage("A matcher has a name, an operator and a value (at most 500 characters).");
        validator.RuleFor(x => x.GroupBy).Must(g => g is null || g.Count <= 10).WithMessage("Group by at most 10 labels.");
        validator.RuleForEach(x => x.GroupBy).NotEmpty().MaximumLength(100);
        validator.RuleFor(x => x.GroupWaitSeconds).InclusiveBetween(0, 3600);
        validator.RuleFor(x => x.RepeatIntervalSeconds).InclusiveBetween(1, 7 * 24 * 3600);
    }

    public static RouteSpec ToSpec(IRouteInput input, RouteSpec? current) => new(
        input.ChannelIds?.Distinct().ToList() ?? current?.ChannelIds ?? [],
        input.Severities?.Select(s => Severity(s)!.Value).Distinct().Order().ToList() ?? current?.Severities ?? [],
        input.Matchers?.Select(m => new LabelMatcher(m.Name.Trim(), m.Operator.Trim(), m.Value)).ToList() ?? current?.Matchers ?? [],
        input.GroupBy?.Select(g => g.Trim()).Distinct().ToList() ?? current?.GroupBy ?? [],
        input.GroupWaitSeconds is { } wait ? TimeSpan.FromSeconds(wait) : current?.GroupWait ?? DefaultGroupWait,
        input.RepeatIntervalSeconds is { } repeat ? TimeSpan.FromSeconds(repeat) : current?.RepeatInterval ?? DefaultRepeatInterval,
        input.SendResolved ?? current?.SendResolved ?? true);

    /// <summary>Every channel a route names is one of the same workspace's (or the platform's) live channels.</summary>
    public static async Task<Failure?> ChannelsBelongAsync(IQuerySession session, Guid? workspaceId, IReadOnlyList<Guid> channelIds, CancellationToken ct)
    {
        var ids = channelIds.ToArray();
        var found = await session.Query<NotificationChannelView>()
            .Where(c => c.Id.IsOneOf(ids) && c.WorkspaceId == workspaceId && !c.Removed).Select(c => c.Id).ToListAsync(ct);
        var missing = ids.Except(found).ToList();
        return missing.Count == 0 ? null : Failure.Invalid($"No such channel here: {string.Join(", ", missing)}.", "channelIds");
    }
}

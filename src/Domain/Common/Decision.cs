namespace Cocktail.Domain.Common;

/// <summary>What a command decided: the events to append, or why it was refused. No events and no error is a no-op.</summary>
public sealed class Decision
{
    private Decision(IReadOnlyList<object> events, DomainError? error)
    {
        Events = events;
        Error = error;
    }

    public IReadOnlyList<object> Events { get; }
    public DomainError? Error { get; }
    public bool IsRefused => Error is not null;

    public static Decision Accept(params object[] events) => new(events, null);
    public static Decision Nothing { get; } = new([], null);
    public static Decision Refuse(DomainError error) => new([], error);

    public static implicit operator Decision(DomainError error) => Refuse(error);
}

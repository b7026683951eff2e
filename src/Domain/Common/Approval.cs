namespace Cocktail.Domain.Common;

public enum ApprovalState { Pending, Approved, Rejected }

/// <summary>
/// The one approve/reject life every request an approver decides shares (quota requests, access requests): it is
/// decided once, never by the one who asked, and a rejection says why. Each request supplies its own events.
/// </summary>
public sealed record Approval(Guid RequestedBy, ApprovalState State)
{
    public static Approval Pending(Guid requestedBy) => new(requestedBy, ApprovalState.Pending);

    /// <summary>Why <paramref name="by"/> may not approve now, or null when they may.</summary>
    public DomainError? RefuseApproval(ActorRef by, string ownRequest) => State switch
    {
        ApprovalState.Pending when by.Id == RequestedBy => DomainError.Forbidden(ownRequest),
        ApprovalState.Pending => null,
        _ => AlreadyDecided(),
    };

    public Decision Approve(ActorRef by, string ownRequest, Func<object> approved) =>
        RefuseApproval(by, ownRequest) is { } refused ? refused : Decision.Accept(approved());

    public Decision Reject(string reason, Func<string, object> rejected)
    {
        if (State != ApprovalState.Pending) return AlreadyDecided();
        if (string.IsNullOrWhiteSpace(reason)) return DomainError.Invalid("Say why the request is rejected.", "reason");
        return Decision.Accept(rejected(reason.Trim()));
    }

    public Approval Approved() => this with { State = ApprovalState.Approved };
    public Approval Rejected() => this with { State = ApprovalState.Rejected };

    private DomainError AlreadyDecided() => DomainError.Conflict($"The request is already {State.ToString().ToLowerInvariant()}.");
}

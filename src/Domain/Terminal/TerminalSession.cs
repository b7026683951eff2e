using Cocktail.Domain.Common;

namespace Cocktail.Domain.Terminal;

/// <summary>
/// A person opened a shell in a pod from the console (<c>kubectl exec</c> in the browser). Recorded once the cluster
/// accepted the exec (or refused it: then <see cref="Protocol"/> is null and an end follows at once).
/// </summary>
public sealed record TerminalSessionStarted(
    Guid SessionId, Guid ClusterId, string ClusterName, string Namespace, string Pod, string Container, IReadOnlyList<string> Command,
    string? Protocol, ActorRef StartedBy, DateTimeOffset StartedAt, Guid? ServiceMapId = null, Guid? WorkspaceId = null);

/// <summary>
/// The session ended: the command exited (<see cref="ExitCode"/>), or <see cref="Reason"/> says why not (the browser
/// closed, the cluster refused or failed). Bytes are what went each way; the recording is the asciicast's size.
/// </summary>
public sealed record TerminalSessionEnded(
    Guid SessionId, int? ExitCode, string Reason, TimeSpan Duration, long InputBytes, long OutputBytes, long RecordingBytes,
    bool RecordingTruncated, DateTimeOffset EndedAt, string? StartedBy = null, string? Target = null);

/// <summary>One terminal session's stream: started, then ended exactly once.</summary>
public sealed class TerminalSession
{
    public Guid Id { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public bool Ended { get; private set; }

    /// <summary>Who opened it and on what ("ns/pod (container) in cluster"), so that its end reads on its own in the audit trail.</summary>
    public string? StartedBy { get; private set; }
    public string? Target { get; private set; }

    public static Decision Start(Guid id, Guid clusterId, string clusterName, string ns, string pod, string container, IReadOnlyList<string> command,
        string? protocol, Guid? serviceMapId, Guid? workspaceId, ActorRef by, DateTimeOffset at)
    {
        if (command.Count == 0) return new DomainError(ErrorKind.Invalid, "Name the command to run.", "command");
        return Decision.Accept(new TerminalSessionStarted(id, clusterId, clusterName, ns, pod, container, command, protocol, by, at, serviceMapId, workspaceId));
    }

    public static TerminalSession Create(TerminalSessionStarted e) => new()
    {
        Id = e.SessionId, StartedAt = e.StartedAt, StartedBy = e.StartedBy.Name, Target = $"{e.Namespace}/{e.Pod} ({e.Container}) in {e.ClusterName}",
    };

    public void Apply(TerminalSessionEnded _) => Ended = true;

    /// <summary>Ends the session once; a second end (the browser and the pod going at the same time) changes nothing.</summary>
    public Decision End(int? exitCode, string reason, long inputBytes, long outputBytes, long recordingBytes, bool truncated, DateTimeOffset at) =>
        Ended
            ? Decision.Nothing
            : Decision.Accept(new TerminalSessionEnded(Id, exitCode, reason, at - StartedAt, inputBytes, outputBytes, recordingBytes, truncated, at, StartedBy, Target));
}

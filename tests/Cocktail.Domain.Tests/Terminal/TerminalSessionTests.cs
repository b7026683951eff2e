using Cocktail.Domain.Common;
using Cocktail.Domain.Terminal;

namespace Cocktail.Domain.Tests.Terminal;

public sealed class TerminalSessionTests
{
    private static readonly ActorRef Dana = new(Guid.CreateVersion7(), "dana");
    private static readonly DateTimeOffset At = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void a_session_starts_with_who_where_and_what_and_ends_once_with_its_duration()
    {
        var id = Guid.CreateVersion7();
        var start = TerminalSession.Start(id, Guid.CreateVersion7(), "prod", "shop", "web-1", "web", ["/bin/sh"], "v5.channel.k8s.io", null, null, Dana, At);
        var started = Assert.IsType<TerminalSessionStarted>(Assert.Single(start.Events));
        Assert.Equal(("shop", "web-1", "web", "dana"), (started.Namespace, started.Pod, started.Container, started.StartedBy.Name));

        var session = TerminalSession.Create(started);
        var end = session.End(0, "The command exited with code 0.", 10, 200, 300, false, At.AddSeconds(42));
        var ended = Assert.IsType<TerminalSessionEnded>(Assert.Single(end.Events));
        Assert.Equal(TimeSpan.FromSeconds(42), ended.Duration);
        session.Apply(ended);
        Assert.Empty(session.End(null, "The browser closed the terminal.", 0, 0, 0, false, At.AddSeconds(43)).Events);
    }

    [Fact]
    public void a_session_without_a_command_is_refused()
    {
        var start = TerminalSession.Start(Guid.CreateVersion7(), Guid.CreateVersion7(), "prod", "shop", "web-1", "web", [], null, null, null, Dana, At);
        Assert.Equal("command", start.Error?.Field);
    }
}

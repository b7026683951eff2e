using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.TerminalSessions.Relaying;

namespace Cocktail.Integration.Tests.Terminal;

/// <summary>The recording format and its cap, without an app.</summary>
public sealed class AsciicastRecorderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void a_recording_is_an_asciicast_v2_header_then_timed_output_input_and_resize_events()
    {
        var recorder = new AsciicastRecorder(80, 24, Start, "ns/pod (app)", "/bin/sh");
        recorder.Output(Start.AddSeconds(0.25), "/ # ");
        recorder.Input(Start.AddSeconds(1.5), "ls\r");
        recorder.Resize(Start.AddSeconds(2), 120, 40);
        recorder.Output(Start.AddSeconds(2.000001), "é \"quoted\"\r\n");
        var lines = recorder.Cast.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = JsonNode.Parse(lines[0])!;
        Assert.Equal(2, (int)header["version"]!);
        Assert.Equal(80, (int)header["width"]!);
        Assert.Equal(24, (int)header["height"]!);
        Assert.Equal(Start.ToUnixTimeSeconds(), (long)header["timestamp"]!);
        Assert.Equal("""[0.25, "o", "/ # "]""", lines[1]);
        Assert.Equal("""[1.5, "i", "ls\r"]""", lines[2]);
        Assert.Equal("""[2, "r", "120x40"]""", lines[3]);
        Assert.Equal("é \"quoted\"\r\n", (string?)JsonNode.Parse(lines[4])![2]);
        Assert.Equal(Encoding.UTF8.GetByteCount(recorder.Cast), recorder.Size);
        Assert.False(recorder.Truncated);
    }

    [Fact]
    public void past_its_limit_a_recording_ends_with_a_marker_and_stays_under_the_limit()
    {
        var recorder = new AsciicastRecorder(80, 24, Start, "t", "sh", maxBytes: 4096);
        for (var i = 0; i < 200; i++) recorder.Output(Start.AddSeconds(i), new string('x', 100) + "\r\n");
        Assert.True(recorder.Truncated);
        Assert.True(recorder.Size <= 4096);
        var last = JsonNode.Parse(recorder.Cast.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!;
        Assert.Equal("o", (string?)last[1]);
        Assert.Contains("the recording stops here", (string?)last[2]);
        var size = recorder.Size;
        recorder.Output(Start.AddSeconds(500), "more");
        Assert.Equal(size, recorder.Size);
    }
}

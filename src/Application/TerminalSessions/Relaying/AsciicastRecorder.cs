using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cocktail.Application.TerminalSessions.Relaying;

/// <summary>
/// A session as an asciicast v2 file: a JSON header line ({"version": 2, "width", "height", "timestamp", ...}), then
/// one <c>[seconds, code, data]</c> line per event: "o" output, "i" input, "r" a resize ("COLSxROWS"). Capped: past
/// <see cref="MaxBytes"/> a last output line says the recording stops there, and the rest is only counted.
/// </summary>
public sealed class AsciicastRecorder
{
    public const int DefaultMaxBytes = 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly StringBuilder _cast = new();
    private readonly DateTimeOffset _startedAt;
    private readonly int _maxBytes;
    private int _bytes;

    public AsciicastRecorder(int width, int height, DateTimeOffset startedAt, string title, string command, int maxBytes = DefaultMaxBytes)
    {
        _startedAt = startedAt;
        _maxBytes = maxBytes;
        var header = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["version"] = 2, ["width"] = Math.Max(1, width), ["height"] = Math.Max(1, height), ["timestamp"] = startedAt.ToUnixTimeSeconds(),
            ["title"] = title, ["env"] = new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["SHELL"] = command },
        }, Json);
        Add(header);
    }

    public bool Truncated { get; private set; }
    public int Size => _bytes;
    public string Cast => _cast.ToString();

    public void Output(DateTimeOffset at, string data) => Event(at, "o", data);
    public void Input(DateTimeOffset at, string data) => Event(at, "i", data);
    public void Resize(DateTimeOffset at, int cols, int rows) => Event(at, "r", $"{cols}x{rows}");

    private void Event(DateTimeOffset at, string code, string data)
    {
        if (Truncated || data.Length == 0) return;
        var seconds = Math.Round(Math.Max(0, (at - _startedAt).TotalSeconds), 6);
        var line = $"[{seconds.ToString("0.######", CultureInfo.InvariantCulture)}, \"{code}\", {JsonSerializer.Serialize(data, Json)}]";
        var marker = $"[{seconds.ToString("0.######", CultureInfo.InvariantCulture)}, \"o\", {JsonSerializer.Serialize(TruncationMarker(_maxBytes), Json)}]";
        if (_bytes + Encoding.UTF8.GetByteCount(line) + 1 + Encoding.UTF8.GetByteCount(marker) + 1 > _maxBytes)
        {
            Add(marker);
            Truncated = true;
            return;
        }
        Add(line);
    }

    public static string TruncationMarker(int maxBytes) =>
        $"\r\n[Cocktail: the recording stops here; it reached its limit of {maxBytes / 1024} KiB. The session went on.]\r\n";

    private void Add(string line)
    {
        _cast.Append(line).Append('\n');
        _bytes += Encoding.UTF8.GetByteCount(line) + 1;
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Exec;

/// <summary>
/// A tiny busybox-like <c>sh</c> in the container: a prompt, a line editor when there is a TTY (echo, backspace,
/// Ctrl-C, Ctrl-D), and the built-ins echo, pwd, ls, hostname, env, printenv, <c>stty size</c> (the last resize),
/// true, false and exit [code]. Anything else is "sh: x: not found" with status 127, as a shell answers.
/// Output goes to <see cref="Write"/> as (stream, text): 1 stdout, 2 stderr (merged into stdout with a TTY).
/// </summary>
internal sealed class SimulatedShell
{
    static readonly string[] Shells = ["sh", "bash", "ash", "dash"];
    static readonly string[] Root = ["bin", "dev", "etc", "home", "lib", "proc", "root", "sys", "tmp", "usr", "var"];

    readonly JsonObject _pod;
    readonly string _container;
    readonly bool _tty;
    readonly StringBuilder _line = new();
    int _lastStatus;

    public SimulatedShell(JsonObject pod, string container, bool tty)
    {
        _pod = pod;
        _container = container;
        _tty = tty;
    }

    /// <summary>(stream, text) to send: 1 stdout, 2 stderr.</summary>
    public required Action<int, string> Write { get; init; }

    /// <summary>The exit code once the shell or command has ended; a runtime failure sets <see cref="StartFailure"/> instead.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Why the command could not be started (not a shell or a built-in), as the container runtime says it.</summary>
    public string? StartFailure { get; private set; }

    public (ushort Width, ushort Height) Size { get; set; }

    public bool Interactive { get; private set; }

    /// <summary>Runs a one-shot command, or starts an interactive shell (prints the first prompt).</summary>
    public void Start(IReadOnlyList<string> command)
    {
        var program = command[0].Split('/')[^1];
        if (Shells.Contains(program))
        {
            var c = command.ToList().IndexOf("-c");
            if (c >= 0 && c + 1 < command.Count)
            {
                foreach (var line in command[c + 1].Split(['\n', ';']))
                {
                    Run(line);
                    if (ExitCode is not null) return;
                }
                ExitCode = _lastStatus;
                return;
            }
            Interactive = true;
            Prompt();
            return;
        }
        if (!Builtins.Contains(program))
        {
            StartFailure = $"OCI runtime exec failed: exec failed: unable to start container process: exec: \"{command[0]}\": executable file not found in $PATH: unknown";
            return;
        }
        Run(string.Join(' ', command.Select(Quote)));
        ExitCode ??= _lastStatus;
    }

    /// <summary>Bytes typed on stdin.</summary>
    public void Input(string text)
    {
        foreach (var ch in text)
        {
            if (ExitCode is not null) return;
            if (!_tty)
            {
                if (ch == '\n') { Execute(); continue; }
                _line.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '\r' or '\n':
                    Write(1, "\r\n");
                    Execute();
                    break;
                case '\x7f' or '\b':
                    if (_line.Length > 0) { _line.Length--; Write(1, "\b \b"); }
                    break;
                case '\x03':
                    _line.Clear();
                    Write(1, "^C\r\n");
                    _lastStatus = 130;
                    Prompt();
                    break;
                case '\x04':
                    if (_line.Length == 0) EndOfInput();
                    break;
                case '\x1b':
                    break;
                default:
                    if (!char.IsControl(ch)) { _line.Append(ch); Write(1, ch.ToString()); }
                    break;
            }
        }
    }

    /// <summary>stdin closed (v5 close frame, or Ctrl-D): the shell exits with the last command's status.</summary>
    public void EndOfInput()
    {
        if (ExitCode is not null) return;
        if (!_tty && _line.Length > 0) Run(_line.ToString());
        if (_tty) Write(1, "exit\r\n");
        ExitCode ??= _lastStatus;
    }

    void Execute()
    {
        var line = _line.ToString();
        _line.Clear();
        Run(line);
        if (ExitCode is null && Interactive) Prompt();
    }

    void Prompt()
    {
        if (_tty) Write(1, "/ # ");
    }

    static readonly string[] Builtins = ["echo", "pwd", "ls", "hostname", "env", "printenv", "stty", "true", "false", "exit"];

    void Run(string line)
    {
        var words = Split(line);
        if (words.Count == 0) return;
        var args = words.Skip(1).ToList();
        _lastStatus = 0;
        switch (words[0])
        {
            case "echo": Out(string.Join(' ', args)); break;
            case "pwd": Out("/"); break;
            case "ls": Out(_tty ? string.Join("  ", Root) : string.Join('\n', Root)); break;
            case "hostname": Out(_pod.Name()); break;
            case "env": Out(string.Join('\n', Environment().Select(e => $"{e.Key}={e.Value}"))); break;
            case "printenv":
                if (args.Count == 0) { Out(string.Join('\n', Environment().Select(e => $"{e.Key}={e.Value}"))); break; }
                var values = args.Select(a => Environment().FirstOrDefault(e => e.Key == a).Value).ToList();
                foreach (var v in values.Where(v => v is not null)) Out(v!);
                if (values.Any(v => v is null)) _lastStatus = 1;
                break;
            case "stty" when args is ["size"]:
                if (!_tty) { Err("stty: standard input: Not a tty"); _lastStatus = 1; break; }
                Out($"{Size.Height} {Size.Width}");
                break;
            case "true": break;
            case "false": _lastStatus = 1; break;
            case "exit":
                ExitCode = args.Count > 0 ? (int.TryParse(args[0], out var code) ? code & 0xff : 2) : _lastStatus;
                if (_tty && Interactive) Write(1, "");
                break;
            default:
                Err($"sh: {words[0]}: not found");
                _lastStatus = 127;
                break;
        }
    }

    List<KeyValuePair<string, string>> Environment()
    {
        var env = new List<KeyValuePair<string, string>>
        {
            new("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            new("HOSTNAME", _pod.Name()),
        };
        if (_tty) env.Add(new("TERM", "xterm"));
        var spec = _pod.At("spec", "containers").Objects().FirstOrDefault(c => c.Str("name") == _container);
        foreach (var e in spec?["env"].Objects() ?? [])
            if (e.Str("name") is { } name && e.Str("value") is { } value) env.Add(new(name, value));
        env.Add(new("HOME", "/root"));
        return env;
    }

    void Out(string text) => Write(1, Lines(text));

    void Err(string text) => Write(_tty ? 1 : 2, Lines(text));

    string Lines(string text) => _tty ? text.Replace("\n", "\r\n") + "\r\n" : text + "\n";

    static string Quote(string word) => word.Contains(' ') ? $"'{word}'" : word;

    /// <summary>Words split on blanks, with '...' and "..." quoting.</summary>
    static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var ch in line)
        {
            if (quote is { } q)
            {
                if (ch == q) quote = null; else word.Append(ch);
                continue;
            }
            if (ch is '\'' or '"') { quote = ch; any = true; continue; }
            if (char.IsWhiteSpace(ch))
            {
                if (word.Length > 0 || any) { words.Add(word.ToString()); word.Clear(); any = false; }
                continue;
            }
            word.Append(ch);
        }
        if (word.Length > 0 || any) words.Add(word.ToString());
        return words;
    }
}

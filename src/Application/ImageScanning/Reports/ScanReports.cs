using System.Diagnostics.CodeAnalysis;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Application.ImageScanning.Reports;

/// <summary>
/// How much of a scanner's report Cocktail reads before it refuses the report. A report comes from a scanner or a
/// cluster, not from Cocktail, so each bound keeps one hostile or broken report from exhausting memory or CPU.
/// </summary>
public sealed record TrivyReportLimits(long MaxBytes = TrivyReportLimits.DefaultMaxBytes, int MaxDepth = TrivyReportLimits.DefaultMaxDepth,
    int MaxFindings = TrivyReportLimits.DefaultMaxFindings)
{
    public const long DefaultMaxBytes = 32L * 1024 * 1024;
    public const int DefaultMaxDepth = 32;
    public const int DefaultMaxFindings = 50_000;

    public static TrivyReportLimits Default { get; } = new();
}

/// <summary>Why a report gave no scan.</summary>
public enum ScanReportProblem
{
    /// <summary>More bytes than <see cref="TrivyReportLimits.MaxBytes"/>.</summary>
    TooLarge,
    /// <summary>JSON nested deeper than <see cref="TrivyReportLimits.MaxDepth"/>.</summary>
    TooDeep,
    /// <summary>More findings than <see cref="TrivyReportLimits.MaxFindings"/>.</summary>
    TooManyFindings,
    /// <summary>Truncated, empty or malformed JSON.</summary>
    NotCompleteJson,
    /// <summary>Complete JSON, but not the kind of report the reader reads.</summary>
    NotThisReport,
    /// <summary>The right kind of report, but a field is missing or has the wrong type.</summary>
    Invalid,
    /// <summary>The report is about another image than the one asked for.</summary>
    OtherImage,
}

/// <summary>Why a report gave no scan, in words an operator can act on. Never quotes more than a few characters of the report.</summary>
public sealed record ScanReportFailure(ScanReportProblem Problem, string Reason);

/// <summary>A report read whole: the scan, or the failure. Never both, and never a partial scan.</summary>
public sealed record ScanReportReading
{
    private ScanReportReading(ImageScan? scan, ScanReportFailure? failure)
    {
        Scan = scan;
        Failure = failure;
    }

    public ImageScan? Scan { get; }
    public ScanReportFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Scan))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Scan is not null;

    public static ScanReportReading Of(ImageScan scan) => new(scan, null);
    public static ScanReportReading Failed(ScanReportProblem problem, string reason) => new(null, new ScanReportFailure(problem, reason));

    public static implicit operator ScanReportReading(ScanReportFailure failure) => new(null, failure);
}

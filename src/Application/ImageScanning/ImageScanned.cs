using Wolverine.Attributes;

namespace Cocktail.Application.ImageScanning;

/// <summary>
/// An attempt to scan the image ended (a good scan or a failure, by a scanner Job or a cluster's Trivy Operator), its
/// record saved: whoever waits on the verdict (a pipeline's scan gate) judges it again.
/// </summary>
[MessageIdentity("Cocktail.Application.ImageScanning.ImageScanned")]
public sealed record ImageScanned(string Digest);

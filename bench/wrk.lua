-- wrk.lua - used by bench/run.sh for every wrk run.
--
-- WRK_RANGE=N WRK_FILESIZE=M: each request asks for a different N-byte
-- aligned slice of the M-byte file (the same sequence on every run);
-- otherwise the request is wrk's static one.  At the end one line for
-- scripts:  WRKRESULT requests=N duration_us=N bytes=N connect=N read=N
-- write=N status=N timeout=N   (status = non-2xx/3xx responses).
local range = tonumber(os.getenv("WRK_RANGE") or "0") or 0
local size = tonumber(os.getenv("WRK_FILESIZE") or "0") or 0
local nchunks = (range > 0) and math.floor(size / range) or 0

if nchunks > 0 then
	local k = 0
	request = function()
		local i = (k * 37) % nchunks
		k = k + 1
		local first = i * range
		return wrk.format(nil, nil,
			{ ["Range"] = string.format("bytes=%d-%d", first, first + range - 1) })
	end
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"WRKRESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
		summary.requests, summary.duration, summary.bytes,
		e.connect, e.read, e.write, e.status, e.timeout))
end

-- A: member. Leaves the queue or forgets a match.
return unqueue(A[1])
